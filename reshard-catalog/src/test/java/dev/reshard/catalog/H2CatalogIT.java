package dev.reshard.catalog;

import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

class H2CatalogIT extends CatalogContract {
    private static int databases;

    @Override
    protected DataSource freshDatabase() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:catalog" + (++databases) + ";DB_CLOSE_DELAY=-1");
        return ds;
    }
}
