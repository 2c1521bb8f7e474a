from ict_diplomacy.cli import main

raise SystemExit(main())
