from osac_shared.migrations import run_env
from sunshine.models import Base

run_env(Base.metadata)
