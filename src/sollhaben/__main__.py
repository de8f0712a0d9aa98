from sollhaben.cli import main

raise SystemExit(main())
