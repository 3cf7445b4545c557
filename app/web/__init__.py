"""Server-rendered pages for people in a browser: sign-in, problem sets, answers and uploads.

Pages (`/`, `/sets`, ...) are Jinja templates with a little JavaScript of our own; the page's
calls go to `/ui/...` routes that take the session cookie and a CSRF header (uploads go to the
API's routes, which take the same session and header). Both call the same
services the API does: this package renders, it neither grades nor queries.

Adding a page: a route on an `APIRouter(route_class=PageRoute)` (failures become HTML pages,
signed-out visitors go to the sign-in page) that takes `WebUser` or `WebInstructor`, or
`CsrfUser` when it changes something (app/web/deps.py); it builds its view from services (a
function in a `service.py`, pydantic views in a `schemas.py`) and answers
`render(request, "name.html", {...})` (app/web/templating.py). The template extends
`base.html`, fills `title` and `main`, and adds scripts as `<script type="module" src=...>` in
the `scripts` block; forms that post carry `<input type="hidden" name="csrf" value="{{ csrf }}">`.
Include the router in app/web/endpoints.py.
"""
