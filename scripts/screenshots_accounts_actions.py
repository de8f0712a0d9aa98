"""Render the Debitoren page with its actions (the menu „Mahnwesen ▾“ open) into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_accounts_actions.py [--out docs/screenshots]

Loads the demo data (size 60) into a temporary SQLite database, chooses a Kita account with open
items and grabs accounts_actions.png: the page with the button row and the open menu drawn below
its button (an offscreen grab does not include popups, so the menu is painted onto the page image).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]


def settle(app, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QApplication

    from sollhaben.bootstrap import open_and_upgrade
    from sollhaben.services import demo, organizations
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.ledger import AccountsPage

    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_and_upgrade(f"sqlite:///{Path(tmp) / 'screenshots.sqlite'}", backup=False)
        try:
            demo.load_demo(db, size=60)
            org = next(o for o in organizations.list_organizations(db) if o.name == demo.KITA_NAME)
            context = AppContext(db)
            context.set_organization(org)
            page = AccountsPage(context)
            page.resize(1280, 640)
            page.show()
            page.list.select(lambda r: r[1].minor > 0)
            settle(app)
            image = page.grab().toImage()
            menu = page.dunning.menu_button.menu()
            menu.adjustSize()
            menu_image = menu.grab().toImage()
            button = page.dunning.menu_button
            where = button.mapTo(page, QPoint(0, button.height()))
            painter = QPainter(image)
            painter.drawImage(where, menu_image)
            painter.end()
            image.save(str(out / "accounts_actions.png"))
            page.close()
        finally:
            db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
