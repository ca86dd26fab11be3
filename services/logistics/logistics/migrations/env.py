from osac_shared.migrations import run_env
from logistics.models import Base

run_env(Base.metadata)
