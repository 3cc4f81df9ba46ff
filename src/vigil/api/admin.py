"""API tokens in Django's admin, for administrators (capability ``api_tokens``): make a token (shown once, in a
message), see scopes, limits and last use, revoke. The hash is never shown and tokens are never deleted (the audit
log names them)."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from vigil.api import tokens
from vigil.api.models import ApiToken, Scope


class TokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes", "requests_per_minute", "signals_per_minute", "lookups_per_minute"]

    def clean(self):
        data = super().clean()
        user, scopes = data.get("user"), data.get("scopes")
        if user is not None and scopes:
            try:
                tokens.check_scopes(user, scopes)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "shown", "organisation", "user", "scope_list", "last_used_at", "revoked_at"]
    list_filter = ["organisation", "revoked_at"]
    search_fields = ["name", "shown", "user__username"]
    readonly_fields = ["user", "organisation", "name", "scopes", "shown", "created_at", "last_used_at", "revoked_at"]
    fields = ["user", "organisation", "name", "scopes", "shown", "requests_per_minute", "signals_per_minute",
              "lookups_per_minute", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = TokenForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return TokenForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        token, plain = tokens.create(data["user"], data["name"], data["scopes"], by=request.user,
                                     **{k: data[k] for k in TokenForm.Meta.fields[3:]})
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        request.new_api_token = plain

    def response_add(self, request, obj, post_url_continue=None):
        """The plain token on a page of its own, once: not in a message, which would keep it in a cookie."""
        plain = getattr(request, "new_api_token", None)
        if plain is None:
            return super().response_add(request, obj, post_url_continue)
        context = {**self.admin_site.each_context(request), "token": obj, "plain": plain, "opts": self.opts,
                   "title": _("API token created")}
        response = TemplateResponse(request, "api/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        n = sum(tokens.revoke(t, by=request.user) for t in queryset.select_related("user"))
        messages.success(request, _("%(n)d tokens revoked.") % {"n": n})

    def _allowed(self, request) -> bool:
        return request.user.is_active and request.user.can("api_tokens")

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and (obj is None or obj.revoked_at is None)

    def has_delete_permission(self, request, obj=None):
        return False
