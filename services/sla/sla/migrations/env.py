from osac_shared.migrations import run_env
from sla.models import Base

run_env(Base.metadata)
