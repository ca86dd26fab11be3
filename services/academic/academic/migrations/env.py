from osac_shared.migrations import run_env
from academic.models import Base

run_env(Base.metadata)
