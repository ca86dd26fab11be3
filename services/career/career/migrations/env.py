from osac_shared.migrations import run_env
from career.models import Base

run_env(Base.metadata)
