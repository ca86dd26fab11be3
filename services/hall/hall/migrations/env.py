from osac_shared.migrations import run_env
from hall.models import Base

run_env(Base.metadata)
