def test_openapi_schema_is_served(call):
    response = call().get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Orbit API"
    for path in (
        "/api/accounts",
        "/api/accounts/{account_id}",
        "/api/contacts",
        "/api/auth/tokens",
        "/api/touches",
        "/api/tasks",
        "/api/requests",
    ):
        assert path in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["BearerTokenAuth"].items()


def test_interactive_docs_are_served(call):
    response = call().get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "/api/openapi.json" in response.text
