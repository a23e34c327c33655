"""URLs of the 创新资源 module, mounted at /resources/; public pages under /public/ (contract 8)."""
from django.urls import path

from . import views, views_edit, views_public

app_name = "resources"

urlpatterns = [
    path("", views.portal, name="portal"),
    path("instruments/", views.instruments, name="instruments"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("instruments/<int:pk>/edit/", views_edit.instrument_edit, name="instrument_edit"),
    path("institutes/<int:pk>/edit/", views_edit.institute_edit, name="institute_edit"),
    path("institutes/<int:pk>/instruments/new/", views_edit.instrument_new, name="instrument_new"),
    path("instruments/<int:pk>/book/", views.booking_create, name="booking_create"),
    path("instruments/<int:pk>/maintenance/", views.maintenance_create, name="maintenance_create"),
    path("bookings/", views.bookings, name="bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/action/", views.booking_action, name="booking_action"),
    path("vouchers/", views.vouchers, name="vouchers"),
    path("vouchers/apply/", views.voucher_apply, name="voucher_apply"),
    path("vouchers/redeem/", views.voucher_redeem, name="voucher_redeem"),
    path("vouchers/<int:pk>/", views.voucher_detail, name="voucher_detail"),
    path("vouchers/<int:pk>/decide/", views.voucher_decide, name="voucher_decide"),
    path("settlements/", views.settlements, name="settlements"),
    path("settlements/new/", views.settlement_create, name="settlement_create"),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement_detail"),
    path("settlements/<int:pk>/pay/", views.settlement_pay, name="settlement_pay"),
    path("service-orgs/", views.service_orgs, name="service_orgs"),
    path("service-orgs/new/", views_edit.service_org_new, name="service_org_new"),
    path("service-orgs/<int:pk>/edit/", views_edit.service_org_edit, name="service_org_edit"),
    path("service-orgs/<int:pk>/", views.service_org_detail, name="service_org_detail"),
    path("service-orgs/<int:pk>/contracts/", views.contract_register, name="contract_register"),
    path("service-orgs/<int:pk>/complaints/", views.complaint_create, name="complaint_create"),
    path("finance/", views.products, name="products"),
    path("finance/new/", views_edit.product_new, name="product_new"),
    path("finance/<int:pk>/edit/", views_edit.product_edit, name="product_edit"),
    path("finance/loans/", views.loans, name="loans"),
    path("finance/loans/new/", views.loan_create, name="loan_create"),
    path("report/", views.report, name="report"),
    path("import/", views.import_page, name="import"),
]

public_urlpatterns = [
    path("instruments/", views_public.instruments, name="instruments"),
    path("institutes/<int:pk>/", views_public.institute, name="institute"),
]
