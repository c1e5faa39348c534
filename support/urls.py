from django.urls import path

from . import api

urlpatterns = [
    path("tickets/", api.TicketListCreateApi.as_view(), name="ticket-list"),
    path("tickets/<int:ticket_id>/", api.TicketDetailApi.as_view(), name="ticket-detail"),
    path("tickets/<int:ticket_id>/messages/", api.TicketMessageApi.as_view(), name="ticket-message"),
    path("tickets/<int:ticket_id>/assign/", api.TicketAssignApi.as_view(), name="ticket-assign"),
    path("tickets/<int:ticket_id>/status/", api.TicketStatusApi.as_view(), name="ticket-status"),
    path("announcements/", api.AnnouncementListCreateApi.as_view(), name="announcement-list"),
    path("announcements/<int:announcement_id>/read/", api.AnnouncementReadApi.as_view(), name="announcement-read"),
]
