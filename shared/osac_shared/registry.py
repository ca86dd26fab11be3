"""Where each service lives: names, modules and config files (no department code here).

The gateway, the local runner, the test harness and deploy files read this one table, so a
new department is added in one place.
"""
SERVICES = {
    # name: (service class, config file relative to the repo root, department services only?)
    "aid": ("aid.service:AidService", "services/aid/config.yml"),
    "academic": ("academic.service:AcademicService", "services/academic/config.yml"),
    "logistics": ("logistics.service:LogisticsService", "services/logistics/config.yml"),
    "security": ("security.service:SecurityService", "services/security/config.yml"),
    "finance": ("finance.service:FinanceService", "services/finance/config.yml"),
    "sla": ("sla.service:SlaService", "services/sla/config.yml"),
}

# the services that own catalogue items and cases (the gateway fans out to these)
DEPARTMENTS = ("aid", "academic", "logistics", "security", "finance")

DEPARTMENT_ZH = {
    "aid": "学生资助（学生工作处）", "academic": "教务处", "logistics": "后勤处",
    "security": "保卫处", "finance": "财务处", "sla": "时限监督",
}
DEPARTMENT_EN = {
    "aid": "Student Financial Aid", "academic": "Academic Affairs", "logistics": "Logistics",
    "security": "Campus Security", "finance": "Finance", "sla": "Deadlines (SLA)",
}


def module_of(name):
    return SERVICES[name][0]


def config_of(name):
    return SERVICES[name][1]


def db_env_var(name):
    return f"{name.upper()}_DB_URL"
