from django.shortcuts import render


def layout_floor(request):
    """The layout floor: `base.html` alone, for whoever is logged in, through the site's whole middleware."""
    return render(request, "bench/floor.html")
