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
    "student_affairs": ("student_affairs.service:StudentAffairsService",
                        "services/student_affairs/config.yml"),
    "insurance": ("insurance.service:InsuranceService", "services/insurance/config.yml"),
    "career": ("career.service:CareerService", "services/career/config.yml"),
    "league": ("league.service:LeagueService", "services/league/config.yml"),
    "campus_it": ("campus_it.service:CampusItService", "services/campus_it/config.yml"),
    "sunshine": ("sunshine.service:SunshineService", "services/sunshine/config.yml"),
    "sla": ("sla.service:SlaService", "services/sla/config.yml"),
    "hall": ("hall.service:HallService", "services/hall/config.yml"),
}

# the services that own catalogue items and cases (the gateway fans out to these)
DEPARTMENTS = ("student_affairs", "aid", "insurance", "career", "academic", "security",
               "league", "campus_it", "logistics", "finance", "sunshine")

DEPARTMENT_ZH = {
    "aid": "学生资助（学生工作处）", "academic": "教务处", "logistics": "后勤处",
    "security": "保卫处", "finance": "财务处", "sla": "时限监督",
    "student_affairs": "学生工作处", "insurance": "离退休工作处、校医院", "career": "招生就业处",
    "league": "校团委", "campus_it": "现代教育技术中心", "sunshine": "校办（阳光服务中心）",
    "hall": "事务大厅（中心办公室）",
}
DEPARTMENT_EN = {
    "aid": "Student Financial Aid", "academic": "Academic Affairs", "logistics": "Logistics",
    "security": "Campus Security", "finance": "Finance", "sla": "Deadlines (SLA)",
    "student_affairs": "Student Affairs Office", "insurance": "Retirees' Office & Hospital",
    "career": "Admissions & Employment", "league": "Youth League Committee",
    "campus_it": "Modern Education Technology Center", "sunshine": "Sunshine Service Center",
    "hall": "Hall office",
}


def module_of(name):
    return SERVICES[name][0]


def config_of(name):
    return SERVICES[name][1]


def db_env_var(name):
    return f"{name.upper()}_DB_URL"
