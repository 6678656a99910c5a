from tests.server.conftest import api, api_service  # noqa: F401 - shared live-server fixtures
