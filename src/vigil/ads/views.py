"""The ads workspace: search, the ad, its template cluster, a phone number, networks and alerts.

Thin: access and queries live in ``ads/queries.py``. Every page showing ad text, phones or e-mails is audited
("view"; the search "search").
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from vigil import normalise
from vigil.ads import queries
from vigil.ads.forms import AdSearchForm
from vigil.ads.models import Ad, AdAlert, AdNetwork, TemplateCluster
from vigil.audit.log import record
from vigil.core.paging import page_of
from vigil.public.middleware import csp_with_images_from

PAGE_SIZE = 50


def _with_tiles(response):
    """Map pages may load the configured background tiles; every other page keeps the strict CSP."""
    if settings.VIGIL_MAP_TILES:
        response["Content-Security-Policy"] = csp_with_images_from(settings.VIGIL_MAP_TILES)
    return response


def _map(points: list[dict], *, route: bool) -> dict:
    """The JSON for ``static/vigil/map.js``, with the background tiles configured (``VIGIL_MAP_TILES``)."""
    return queries.map_of(points, route=route, tiles=settings.VIGIL_MAP_TILES,
                          attribution=settings.VIGIL_MAP_ATTRIBUTION)


@login_required
def ad_search(request):
    queries.require_ads(request.user)
    form = AdSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = {"rows": [], "page": 1, "has_next": False, "query": ""}
    if not form.is_bound or form.is_valid():
        rows = page_of(request, queries.search(data), PAGE_SIZE)
        record(request.user, "search", object_type="ad", detail={
            "terms": form.terms() if data else {}, "page": rows["page"], "hits": len(rows["rows"]),
            "more": rows["has_next"]})
    ctx = {"form": form, "ads": rows.pop("rows"), **rows, "searched": bool(data)}
    template = "ads/_results.html" if request.htmx and not request.htmx.boosted else "ads/search.html"
    return render(request, template, ctx)


@login_required
def ad_detail(request, pk: int):
    queries.require_ads(request.user)
    ad = get_object_or_404(Ad.objects.select_related("cluster", "network", "owner"), pk=pk)
    record(request.user, "view", ad)
    capture = ad.captures.order_by("-collected_at", "-number").first()
    ctx = {"ad": ad, "capture": capture, "history": queries.history(ad),
           "alerts": ad.alerts.order_by("-at")[:50]}
    if capture is not None:
        reading = queries.reading_of(capture)
        given = capture.given if isinstance(capture.given, dict) else {}
        ctx.update(reading=reading, text=queries.capture_text(capture, reading),
                   found=queries.extracted(capture.extraction),
                   contact=given.get("contact") if isinstance(given.get("contact"), dict) else {},
                   given={k: v for k, v in given.items() if k not in ("contact", "images", "extra")},
                   images=[i for i in given.get("images") or () if isinstance(i, dict)],
                   extra=given.get("extra") if isinstance(given.get("extra"), dict) else {})
    return render(request, "ads/ad.html", ctx)


@login_required
def cluster_detail(request, pk: int):
    queries.require_ads(request.user)
    cluster = get_object_or_404(TemplateCluster, pk=pk)
    record(request.user, "view", cluster)
    members = page_of(request, Ad.objects.filter(cluster=cluster).select_related("network").only(
        "id", "site", "site_ad_id", "title", "city", "phones", "score", "first_collected", "last_collected",
        "network__id").order_by("first_collected", "id"), PAGE_SIZE)
    ctx = {"cluster": cluster, "template": queries.cluster_template(cluster), "members": members.pop("rows"),
           **members, "sightings": queries.sightings("template", str(cluster.pk)),
           "alerts": AdAlert.objects.filter(kind=AdAlert.Kind.TEMPLATE, key=str(cluster.pk)).select_related("ad")
           .order_by("-at")[:50]}
    return render(request, "ads/cluster.html", ctx)


@login_required
def phone_detail(request, e164: str):
    queries.require_ads(request.user)
    number = normalise.phone(e164)
    if not number.valid:
        raise Http404("not a phone number")
    if number.value != e164:
        return redirect("ads:phone", e164=number.value)
    record(request.user, "view", object_type="phone", object_id=number.value)
    ads = page_of(request, Ad.objects.filter(queries.with_phone(number.value)).select_related("cluster", "network")
                  .only("id", "site", "site_ad_id", "title", "city", "phones", "score", "first_collected",
                        "last_collected", "cluster__id", "network__id").order_by("-last_collected", "-id"),
                  PAGE_SIZE)
    sightings = queries.sightings("phone", number.value)
    points = queries.city_points([s.city for s in sightings])
    ctx = {"phone": number.value, "country": number.country, "ads": ads.pop("rows"), **ads,
           "weeks": queries.phone_weeks(number.value), "sightings": list(zip(sightings, points, strict=True)),
           "points": points, "path": queries.path_of(points), "map_width": queries.MAP_WIDTH,
           "map_height": queries.MAP_HEIGHT,
           "map": _map([{**p, "label": _("%(n)s. %(city)s, first seen %(first)s (%(captures)s captures)") % {
               "n": p["n"], "city": s.city, "first": localtime(s.first_seen).date().isoformat(),
               "captures": s.captures}} for s, p in zip(sightings, points, strict=True)], route=True),
           "alerts": AdAlert.objects.filter(kind=AdAlert.Kind.PHONE, key=number.value).select_related("ad")
           .order_by("-at")[:50]}
    return _with_tiles(render(request, "ads/phone.html", ctx))


@login_required
def network_list(request):
    queries.require_ads(request.user)
    paged = page_of(request, AdNetwork.objects.order_by("-score", "-size", "id"), PAGE_SIZE)
    record(request.user, "view", object_type="adnetwork", object_id="list", detail={"page": paged["page"]})
    return render(request, "ads/networks.html", {"networks": paged.pop("rows"), **paged})


@login_required
def network_detail(request, pk: int):
    queries.require_ads(request.user)
    network = get_object_or_404(AdNetwork, pk=pk)
    record(request.user, "view", network)
    ads = page_of(request, Ad.objects.filter(network=network).select_related("cluster").only(
        "id", "site", "site_ad_id", "title", "city", "phones", "emails", "score", "first_collected",
        "last_collected", "cluster__id").order_by("-score", "-last_collected", "id"), PAGE_SIZE)
    ctx = {"network": network, "ads": ads.pop("rows"), **ads, "clusters": queries.network_clusters(network),
           "timeline": queries.network_timeline(network), "alerts": queries.network_alerts(network)}
    ctx["cities"] = queries.network_cities(network)
    ctx["map"] = _map([{**c, "count": c["ads"], "label": _("%(city)s: %(ads)s ads, %(captures)s captures") % c}
                       for c in ctx["cities"]], route=False)
    return _with_tiles(render(request, "ads/network.html", ctx))


@login_required
def alert_list(request):
    queries.require_ads(request.user)
    paged = page_of(request, AdAlert.objects.select_related("ad").order_by("-at", "-id"), PAGE_SIZE)
    record(request.user, "view", object_type="adalert", object_id="list", detail={"page": paged["page"]})
    return render(request, "ads/alerts.html", {"alerts": paged.pop("rows"), **paged})
