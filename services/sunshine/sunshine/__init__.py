"""Sunshine service center (校办（阳光服务中心）), window 13 投诉与建议."""
