import pytest

from incident.enums import Status
from incident.errors import TransitionError
from incident.lifecycle import ALLOWED, check_transition

S = Status


@pytest.mark.parametrize(
    "current,target",
    [
        (S.DECLARED, S.INVESTIGATING),
        (S.INVESTIGATING, S.IDENTIFIED),
        (S.IDENTIFIED, S.MONITORING),
        (S.MONITORING, S.RESOLVED),
        (S.RESOLVED, S.CLOSED),
        (S.DECLARED, S.RESOLVED),  # false alarm
        (S.MONITORING, S.INVESTIGATING),  # the fix did not hold
        (S.RESOLVED, S.INVESTIGATING),  # reopened
    ],
)
def test_allowed(current, target):
    check_transition(current, target)


@pytest.mark.parametrize(
    "current,target",
    [
        (S.DECLARED, S.CLOSED),
        (S.INVESTIGATING, S.CLOSED),
        (S.MONITORING, S.CLOSED),
        (S.CLOSED, S.INVESTIGATING),
        (S.CLOSED, S.RESOLVED),
        (S.RESOLVED, S.MONITORING),
        (S.INVESTIGATING, S.DECLARED),
        (S.MONITORING, S.MONITORING),
    ],
)
def test_refused_with_a_clear_message(current, target):
    with pytest.raises(TransitionError) as err:
        check_transition(current, target)
    en, zh = err.value.message("en"), err.value.message("zh-CN")
    if current == S.CLOSED:
        assert "closed" in en and "已关闭" in zh
    elif current == target:
        assert "already" in en
    else:
        assert current.value in en and target.value in en
        # names what *is* allowed from here
        for nxt in ALLOWED[current]:
            assert nxt.value in en


def test_only_resolved_can_close():
    assert [s for s in Status if S.CLOSED in ALLOWED[s]] == [S.RESOLVED]
    assert ALLOWED[S.CLOSED] == frozenset()
