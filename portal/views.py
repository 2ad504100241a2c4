from django.shortcuts import render


def home(request):
    return render(request, "portal/home.html")


def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})
