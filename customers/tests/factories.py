from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from customers.models import Customer

User = get_user_model()
TEST_PASSWORD = "correct-horse-battery-9"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.in")
    first_name = factory.Faker("first_name", locale="en_IN")
    last_name = factory.Faker("last_name", locale="en_IN")
    password = factory.django.Password(TEST_PASSWORD)


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    user = factory.SubFactory(UserFactory)
    phone = factory.Sequence(lambda n: f"+91 98{n:08d}")
    kyc_status = Customer.KycStatus.VERIFIED


def staff_user_create(*, username: str, role: str):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user
