from osac_shared.migrations import run_env
from student_affairs.models import Base

run_env(Base.metadata)
