from django.urls import path

from vigil.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/", views.open_case, name="open"),
    path("add/", views.add_to_case, name="add"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/assignee/", views.assign, name="assign"),
    path("<int:pk>/members/", views.add_member, name="member"),
    path("<int:pk>/tasks/", views.add_task, name="task"),
    path("<int:pk>/tasks/done/", views.task_done, name="task_done"),
    path("<int:pk>/notes/", views.add_note, name="note"),
    path("<int:pk>/attachments/", views.add_attachment, name="upload"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/proposals/", views.decide_proposal, name="proposal"),
    path("<int:pk>/merge/", views.merge_into, name="merge"),
]

# What each route needs (a capability, or None for any logged-in user). tests/test_access.py requires every route
# to be listed here; cases (tests/test_cases.py walks them as every role).
ROUTE_NEEDS: dict[str, str | None] = {name: "cases" for name in (
    "list", "open", "add", "case", "status", "assign", "member", "task", "task_done", "note", "upload",
    "attachment", "proposal", "merge")}
