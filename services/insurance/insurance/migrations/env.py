from osac_shared.migrations import run_env
from insurance.models import Base

run_env(Base.metadata)
