"""POST /test calls out to any allowed URL, so it is off unless --test-endpoint turns it on.

Run against sd-observability and main.py started without that flag (see CMakeLists.txt).
"""

import contract


class TestEndpointOff(contract.ServiceTest):
    def test_post_test_is_not_a_route_without_the_flag(self):
        self.assertProblem(self.client.post("/test", body=[]), 404)

    def test_the_rest_of_the_service_is_there(self):
        self.assertEqual(self.client.get("/hello").status, 200)
