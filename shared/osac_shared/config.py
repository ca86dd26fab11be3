"""Reading a service's ``config.yml`` the way ``nameko run`` does (``${VAR:default}``)."""
import yaml
from nameko.cli.main import setup_yaml_parser


def load_config(path):
    setup_yaml_parser()
    with open(path) as f:
        return yaml.safe_load(f) or {}
