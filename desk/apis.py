"""The workspace API: the search box (GET /api/v1/agent/search/)."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from support.permissions import IsAgent
from support.schema import errors

from . import selectors
from .serializers import WorkspaceSearchOutputSerializer, WorkspaceSearchQuerySerializer


class WorkspaceSearchApi(APIView):
    """For agents: the workspace's search box (ticket reference, customer email, chat id, or ticket subject text)."""

    permission_classes = [IsAgent]

    @extend_schema(parameters=[WorkspaceSearchQuerySerializer],
                   responses={200: WorkspaceSearchOutputSerializer, **errors(400, 401, 403)}, tags=["agent"],
                   operation_id="agent_search")
    def get(self, request):
        query = WorkspaceSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.workspace_search(user=request.user, q=query.validated_data["q"])
        return Response(WorkspaceSearchOutputSerializer(found).data)
