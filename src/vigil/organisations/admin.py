from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from vigil.organisations.models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]


@admin.register(User)
class VigilUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, (None, {"fields": ["organisation", "role"]})]
