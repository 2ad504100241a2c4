from django.shortcuts import render


def catalogue(request):
    return render(request, "procedures/catalogue.html")
