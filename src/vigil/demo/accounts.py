"""Demo accounts: one user per role. Importable without Django settings (the benchmarks log in with them)."""

from vigil.organisations.roles import Role

DEMO_PASSWORD = "vigil-demo-2026"
# username, role, organisation slug, first name, last name
DEMO_USERS = [
    ("intake", Role.INTAKE, "emm", "Sanne", "Bakker"),
    ("analist", Role.ANALYST, "emm", "Noor", "El Amrani"),
    ("rechercheur", Role.INVESTIGATOR, "politie-rotterdam", "Jeroen", "Visser"),
    ("ind", Role.IND_OFFICER, "ind", "Fatima", "Yilmaz"),
    ("partner", Role.PARTNER, "comensha", "Eva", "de Boer"),
    ("privacy", Role.PRIVACY_OFFICER, "emm", "Pieter", "Jansen"),
    ("beheer", Role.ADMINISTRATOR, "emm", "Lotte", "Smit"),
]
