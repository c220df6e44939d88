from django_tasks import task

from orbit.handoffs import bulk
from orbit.handoffs.models import BulkMove


@task()
def run_bulk_move(move_id: int) -> str:
    move = BulkMove.objects.select_related("created_by", "manager").filter(pk=move_id).first()
    return bulk.run_move(move).status if move is not None else "missing"
