"""Campus IT (现代教育技术中心), windows 9 网络服务 and 10 校园一卡通."""
