"""/<lang>/verify/: anyone checks whether an email, website, phone number, social account or agent code is ours."""
from django.shortcuts import render

from support import ratelimit

from . import selectors
from .forms import CheckForm
from .models import AGENT_CODE, CHECK_KINDS, ChannelKind
from .normalize import ChannelValueInvalid


def verify_page(request):
    """Answers on the same page. Every check counts against the visitor's address (RATE_LIMITS["verify"]); just
    opening the page, or a link that only picks the kind (?kind=phone), does not."""
    result = None
    if "value" in request.GET:
        ratelimit.hit("verify", ratelimit.client_ip(request))
        form = CheckForm(request.GET)
        if form.is_valid():
            data = form.cleaned_data
            # The platform menu stays filled in when the visitor switches to another kind: it only means something
            # for social accounts.
            platform = data["platform"] if data["kind"] == ChannelKind.SOCIAL else ""
            try:
                result = selectors.channel_check(data["kind"], data["value"], platform=platform,
                                                 customer=request.user)
            except ChannelValueInvalid as exc:
                form.add_error(exc.field if exc.field in form.fields else "value", exc.detail)
    else:
        kind = request.GET.get("kind")
        form = CheckForm(initial={"kind": kind} if kind in CHECK_KINDS else None)
    return render(request, "verification/verify.html", {
        "form": form, "result": result, "is_agent_code": result is not None and result.kind == AGENT_CODE,
        "lookalike": result is not None and "xn--" in result.value})
