from osac_shared.migrations import run_env
from finance.models import Base

run_env(Base.metadata)
