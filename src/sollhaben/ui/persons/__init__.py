"""The register of persons and institutions: list page and layer editor."""
from sollhaben.ui.persons.person_editor import PersonEditor
from sollhaben.ui.persons.persons_page import PersonsPage

__all__ = ["PersonEditor", "PersonsPage"]
