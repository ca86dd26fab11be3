from osac_shared.migrations import run_env
from campus_it.models import Base

run_env(Base.metadata)
