"""Reference data the admin edits: product lines, products with their dated prices, VAT rates, currency rates
and the loyalty scheme. Documents (invoices, payments) are written only through the services."""

from django.contrib import admin

from orbit.revenue.models import CurrencyRate, LoyaltyDiscount, Product, ProductLine, ProductPrice, VatRate


@admin.register(ProductLine)
class ProductLineAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_en"]
    search_fields = ["code", "name_ru", "name_en"]


class PriceInline(admin.TabularInline):
    model = ProductPrice
    extra = 1


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "product_line", "unit", "vat_category", "is_active"]
    list_filter = ["product_line", "vat_category", "is_active"]
    search_fields = ["sku", "name"]
    inlines = [PriceInline]


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["category", "valid_from", "percent"]
    list_filter = ["category"]


@admin.register(CurrencyRate)
class CurrencyRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "day", "rate", "source"]
    list_filter = ["currency"]
    date_hierarchy = "day"


@admin.register(LoyaltyDiscount)
class LoyaltyDiscountAdmin(admin.ModelAdmin):
    list_display = ["tier", "min_volume", "discount_percent", "valid_from", "valid_to"]
