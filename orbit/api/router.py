from ninja import NinjaAPI

api = NinjaAPI(title="Orbit API", version="1", urls_namespace="api")
