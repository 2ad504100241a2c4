"""Page-number pagination by the framework's convention (`?page=2&page_size=50`), with a bounded page size."""
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100
