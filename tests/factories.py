"""Factories for the shared core. Users are made through the services, exactly as the product makes them."""
import factory

from support import services
from support.roles import Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.Factory):
    class Meta:
        model = dict

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    language = "en"
    role = Role.CUSTOMER

    @classmethod
    def _create(cls, model_class, **kwargs):
        kwargs.setdefault("password", PASSWORD)
        kwargs.setdefault("email_verified", True)
        return services.user_create(**kwargs)


class AgentFactory(factory.Factory):
    class Meta:
        model = dict

    email = factory.Sequence(lambda n: f"agent{n}@example.com")
    name = factory.Faker("name")
    languages = factory.LazyFunction(lambda: ["en"])
    capacity = 3
    supervisor = False

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.agent_create(password=PASSWORD, **kwargs)
