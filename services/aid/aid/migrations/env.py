from osac_shared.migrations import run_env
from aid.models import Base

run_env(Base.metadata)
