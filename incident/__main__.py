"""``python -m incident``: the same command as ``incident``."""

from incident.cli.app import main

if __name__ == "__main__":
    main()
