from osac_shared.migrations import run_env
from league.models import Base

run_env(Base.metadata)
