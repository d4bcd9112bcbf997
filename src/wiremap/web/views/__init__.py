"""One module per HTML page: each builds an :class:`~fastapi.APIRouter` over the view."""
