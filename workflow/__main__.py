"""`python -m workflow` behaves exactly like the `pubflow` console script."""

from workflow.cli.app import main

if __name__ == "__main__":
    main()
