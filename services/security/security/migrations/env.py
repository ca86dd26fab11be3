from osac_shared.migrations import run_env
from security.models import Base

run_env(Base.metadata)
