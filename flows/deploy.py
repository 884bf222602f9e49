"""Register every flow of the coordinator with a Prefect server, to run on a
**process work pool**: the scale-out set-up, where any number of workers
(one per machine, or several) share the work.

- the app's data on PostgreSQL (``INCIDENT_DATABASE_URL``), the same for
  every worker and for the web app;
- a Prefect server on PostgreSQL (``PREFECT_API_DATABASE_CONNECTION_URL``),
  named by ``PREFECT_API_URL`` wherever this module or a worker runs;
- the deployments: the same flows, names and schedules as
  ``python -m incident_flows.serve`` (:func:`incident_flows.serve.deployments`),
  each naming its flow by module path in the installed package
  (``incident_flows.watch.watch_feeds``), with no pull step: a worker
  machine needs ``pip install`` of the wheel and the same ``INCIDENT_*``
  configuration, nothing else — no checkout, no working directory;
- N workers: ``prefect worker start --pool NAME --type process``.

Register (again after changing a schedule or ``[detection]``: it updates
the deployments in place, never duplicates them)::

    python -m incident_flows.deploy --pool incident --create-pool

Nothing is done twice when several workers run the same flow at once: every
piece of work is claimed in the database before it is done (see README,
"Scale-out").
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from prefect import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.settings import PREFECT_API_URL
from prefect.types.entrypoint import EntrypointType
from prefect.workers.process import ProcessWorker

from incident.config import normalise_lang
from incident.i18n import CATALOG, t
from incident_flows.serve import deployments

CATALOG.update(
    {
        "deploy.help": (
            "把协调器的全部流程注册到 Prefect 服务器（PREFECT_API_URL）的进程工作池，供多个 worker 分担执行",
            "register every flow of the coordinator with the Prefect server (PREFECT_API_URL) on a process "
            "work pool, for any number of workers to share",
        ),
        "deploy.help.pool": ("工作池名称", "the work pool's name"),
        "deploy.help.create_pool": (
            "工作池不存在时创建（进程类型）",
            "create the pool (type process) if it does not exist",
        ),
        "deploy.help.lang": ("输出语言：zh-CN 或 en", "language of the output: zh-CN or en"),
        "deploy.no_api": (
            "未设置 PREFECT_API_URL：请指向 Prefect 服务器，例如 http://127.0.0.1:4200/api",
            "PREFECT_API_URL is not set: point it at the Prefect server, e.g. http://127.0.0.1:4200/api",
        ),
        "deploy.no_pool": (
            "工作池「{pool}」不存在；加 --create-pool 创建，或先运行 prefect work-pool create {pool} --type process",
            "there is no work pool '{pool}'; add --create-pool, or run prefect work-pool create {pool} --type process",
        ),
        "deploy.wrong_type": (
            "工作池「{pool}」的类型是 {type}，需要 process",
            "work pool '{pool}' is of type {type}; it must be process",
        ),
        "deploy.pool_created": ("已创建工作池「{pool}」（process）", "created work pool '{pool}' (process)"),
        "deploy.pool_exists": ("工作池「{pool}」（process）已存在", "work pool '{pool}' (process) exists"),
        "deploy.registered": ("已注册 {flow}/{name}：{schedule}", "registered {flow}/{name}: {schedule}"),
        "deploy.on_demand": ("按需运行", "on demand"),
        "deploy.every": ("每 {seconds} 秒", "every {seconds} s"),
        "deploy.cron": ("cron {cron}（{zone}）", "cron {cron} ({zone})"),
        "deploy.next": (
            "流程从已安装的 incident-coordinator 包加载（incident_flows.*）。在每台机器上安装同一个 wheel，"
            "以相同的环境变量启动 worker（每台一个或多个）：\n"
            "  prefect worker start --pool {pool} --type process\n"
            "网页端只运行 incident web：对同一个 Prefect 服务器运行 incident serve 或 "
            "python -m incident_flows.serve 会接管这些部署",
            "flows load from the installed incident-coordinator package (incident_flows.*). On each machine "
            "install the same wheel and start workers (one or more per machine, with this same environment):\n"
            "  prefect worker start --pool {pool} --type process\n"
            "Run only incident web for the web app: incident serve or python -m incident_flows.serve against this "
            "Prefect server would take these deployments over",
        ),
    }
)


def _pool(client: Any, name: str, create: bool, lang: str) -> None:
    try:
        pool = client.read_work_pool(name)
    except ObjectNotFound:
        if not create:
            raise SystemExit(t("deploy.no_pool", lang, pool=name)) from None
        try:
            client.create_work_pool(
                WorkPoolCreate(
                    name=name, type="process", base_job_template=ProcessWorker.get_default_base_job_template()
                )
            )
            print(t("deploy.pool_created", lang, pool=name))
            return
        except ObjectAlreadyExists:  # created by someone else just now
            pool = client.read_work_pool(name)
    if pool.type != "process":
        raise SystemExit(t("deploy.wrong_type", lang, pool=name, type=pool.type))
    print(t("deploy.pool_exists", lang, pool=name))


def _schedule(deployment: Any, lang: str) -> str:
    shown = []
    for s in deployment.schedules or []:
        sched = s.schedule
        if getattr(sched, "interval", None) is not None:
            shown.append(t("deploy.every", lang, seconds=f"{sched.interval.total_seconds():g}"))
        elif getattr(sched, "cron", None):
            shown.append(t("deploy.cron", lang, cron=sched.cron, zone=sched.timezone))
        else:
            shown.append(str(sched))
    return ", ".join(shown) or t("deploy.on_demand", lang)


def deploy(pool: str, create_pool: bool = False, lang: str = "zh-CN") -> list[Any]:
    """Create or update every deployment on ``pool``; returns their ids."""
    with get_client(sync_client=True) as client:
        _pool(client, pool, create_pool, lang)
    ids = []
    # By module path: the flow-run process imports the installed package
    # (no storage, no pull step, no directory that must exist on the worker).
    for d in deployments(EntrypointType.MODULE_PATH):
        ids.append(d.apply(work_pool_name=pool))  # upsert by flow and name
        print(t("deploy.registered", lang, flow=d.flow_name, name=d.name, schedule=_schedule(d, lang)))
    print(t("deploy.next", lang, pool=pool))
    return ids


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang")
    try:
        lang = normalise_lang(pre.parse_known_args(argv)[0].lang or os.environ.get("INCIDENT_LANG"))
    except ValueError:
        raise SystemExit("--lang: zh-CN | en") from None
    parser = argparse.ArgumentParser(prog="python -m incident_flows.deploy", description=t("deploy.help", lang))
    parser.add_argument("--pool", required=True, help=t("deploy.help.pool", lang))
    parser.add_argument("--create-pool", action="store_true", help=t("deploy.help.create_pool", lang))
    parser.add_argument("--lang", help=t("deploy.help.lang", lang))
    args = parser.parse_args(argv)
    if not os.environ.get("PREFECT_API_URL"):
        if not PREFECT_API_URL.value():  # nor in the Prefect profile
            raise SystemExit(t("deploy.no_api", lang))
    deploy(args.pool, args.create_pool, lang)


if __name__ == "__main__":
    main()
