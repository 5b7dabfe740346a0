"""项目 — registration (受理登记) and the trade lifecycle of projects and their sections (T1, T14).

Owns: projects, sections and their lifecycle, invitations, the bid deadline timer, the workbench of managers.
May not: open or show a sealed bid (it only counts them at the deadline); notices and keys only through their verbs.
"""
