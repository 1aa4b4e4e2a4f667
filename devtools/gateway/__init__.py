"""The reference payment gateway (Alipay and WeChat Pay shapes) for tests, drills and the demo."""
