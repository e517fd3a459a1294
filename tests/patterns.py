"""The site's URL patterns, as the resolver knows them: the crawl, the access matrix and the fuzz test all start here,
so that a new page is covered by each without anyone listing it."""

from django.urls import URLPattern, URLResolver, get_resolver


def named_patterns(resolver=None, namespace=""):
    """Every named pattern of the resolver, as `namespace:name`."""
    for name, _pattern in patterns_with_routes(resolver, namespace=namespace):
        yield name


def patterns_with_routes(resolver=None, prefix="", namespace=""):
    """Every named pattern, as (`namespace:name`, its URLPattern)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from patterns_with_routes(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern
