"""The built-in industry packs, one per source document, shipped as package data.

Each constant is a :class:`PackFile` that the entry-point group ``aftersales.policies`` names; the registry
also registers :data:`BUILTIN` directly, so the packs load even where entry points are not installed.
"""

from __future__ import annotations

from importlib.resources import files

from aftersales.policies.pack import PackFile

__all__ = [
    "BUILTIN",
    "EXHIBITION_SERVICES",
    "GENERAL_MAINTENANCE",
    "OFFICE_EQUIPMENT",
    "SANITARY_WARE",
    "SERVICE_CENTRE",
]

_HERE = files(__name__)

GENERAL_MAINTENANCE = PackFile("general_maintenance", _HERE / "general_maintenance.toml")
EXHIBITION_SERVICES = PackFile("exhibition_services", _HERE / "exhibition_services.toml")
SANITARY_WARE = PackFile("sanitary_ware", _HERE / "sanitary_ware.toml")
OFFICE_EQUIPMENT = PackFile("office_equipment", _HERE / "office_equipment.toml")
SERVICE_CENTRE = PackFile("service_centre", _HERE / "service_centre.toml")

BUILTIN = (GENERAL_MAINTENANCE, EXHIBITION_SERVICES, SANITARY_WARE, OFFICE_EQUIPMENT, SERVICE_CENTRE)
