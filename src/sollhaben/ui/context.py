"""What every page of the main window needs: the database, the organization, the worker."""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from sollhaben.persistence.database import Database
from sollhaben.services.dto import OrganizationDTO


class ContextSignals(QObject):
    organization_changed = Signal(object)  # OrganizationDTO
    data_changed = Signal(str)  # table name whose rows changed ("person", "follow_up" …)


@dataclass
class AppContext:
    db: Database
    organization: OrganizationDTO | None = None
    worker: object | None = None  # sollhaben.workers.JobRunner once the shell has started
    signals: ContextSignals = field(default_factory=ContextSignals)

    @property
    def organization_id(self) -> int:
        if self.organization is None:
            raise RuntimeError("no organization selected")
        return self.organization.id

    @property
    def country(self) -> str:
        return self.organization.legal_country if self.organization else "DE"

    def set_organization(self, organization: OrganizationDTO) -> None:
        self.organization = organization
        self.signals.organization_changed.emit(organization)
